/**
 * The register's replica images as erx builds them: in an embedded SQLite replica store, the format
 * replicas bootstrap from (store/sqlite/replicaStore.ts), whatever store the register itself uses.
 */
import { join } from 'node:path';
import { type ImageWorkspace, ReplicaImages } from '../../store/sqlite/replicaImages.js';
import { SqliteReplicaStore } from '../../store/sqlite/replicaStore.js';

/** A SQLite replica store in `workDir`; its database file is the image. */
export const sqliteImageWorkspace: ImageWorkspace = (workDir, matcher) => ({ store: new SqliteReplicaStore({ dataDir: workDir, matcher }), file: join(workDir, 'state.db') });

/** The images in `<dataDir>/images`, built in SQLite. */
export class SqliteReplicaImages extends ReplicaImages {
  constructor(dataDir: string) {
    super(dataDir, sqliteImageWorkspace);
  }
}
