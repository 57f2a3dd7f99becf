/** Moved: the register is composed in app/register/createRegister.ts (kept here for old import paths until the folder moves). */
export * from '../app/register/createRegister.js';
