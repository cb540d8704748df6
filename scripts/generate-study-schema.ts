/** Writes schemas/study.schema.json from the settings table (a test fails when it has drifted). */
import { writeFileSync } from 'node:fs';
import { studyJsonSchema } from '../src/core/study/schema';

writeFileSync('schemas/study.schema.json', JSON.stringify(studyJsonSchema(), null, 2) + '\n');
console.error('wrote schemas/study.schema.json');
