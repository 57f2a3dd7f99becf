/** The border replica's composition, under the name its importers use: app/border/createBorderReplica.ts. */
export * from './border/createBorderReplica.js';
