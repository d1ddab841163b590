export { Storage, StorageError, type StorageOptions } from './storage.js';
export { mapRange, mapPiece, fileAt, type FileSlice } from './file-map.js';
export { pieceSize, filePieces } from '../metainfo/piece-layout.js';
export { metainfoFromFiles, type MemoryFile, type FromFilesOptions } from './metainfo-from-files.js';
