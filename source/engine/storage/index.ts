export { Storage, StorageError, type StorageOptions } from './storage.js';
export { mapRange, mapPiece, pieceSize, filePieces, fileAt, type FileSlice } from './file-map.js';
export { metainfoFromFiles, type MemoryFile, type FromFilesOptions } from './metainfo-from-files.js';
