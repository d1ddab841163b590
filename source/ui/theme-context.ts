import { createContext, useContext } from 'react';
import { makeTheme, type Theme } from './theme.js';

export const ThemeContext = createContext<Theme>(makeTheme('16'));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
