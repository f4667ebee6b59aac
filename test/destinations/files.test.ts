import { describeDestinationConformance } from './conformance.js';
import { createFileHarness } from './files-harness.js';

describeDestinationConformance('parquet', () => createFileHarness({ format: 'parquet' }));
describeDestinationConformance('jsonl', () => createFileHarness({ format: 'jsonl' }));
describeDestinationConformance('jsonl+gzip', () => createFileHarness({ format: 'jsonl', gzip: true }));
