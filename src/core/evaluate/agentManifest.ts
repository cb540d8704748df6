/**
 * What evaluation reads of an agent run folder: its `manifest.json`, as the run-folder contract
 * (src/protocol/runFolder.ts) types and checks it: the dataset hash, the KB fingerprint, the hint
 * ids in action order (texts too, when recorded) and the encoder.
 */
import { RUN_FILES, type TrainManifest } from '../../protocol/runFolder';
export { parseTrainManifest as parseAgentManifest, readTrainManifest as readAgentManifest } from '../agent/runFolder';

export type AgentManifestRef = TrainManifest;

export const MANIFEST_FILE = RUN_FILES.manifest;
