/** The register's composition, under the name its importers use: app/register/createRegister.ts. */
export * from './register/createRegister.js';
