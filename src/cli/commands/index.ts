/**
 * Command registry. Each command lives in its own file and exports `register(program)`.
 * Order here is the order in `--help`: the pipeline first, then its stages, then tools.
 */
import type { Command } from 'commander';
import { register as demoCmd } from './demo';
import { register as runCmd } from './run';
import { register as importCmd } from './import';
import { register as reflectCmd } from './reflect';
import { register as kbCmd } from './kb';
import { register as trainCmd } from './train';
import { register as evaluateCmd } from './evaluate';
import { register as reportCmd } from './report';
import { register as exportCmd } from './export';
import { register as runsCmd } from './runs';
import { register as scoreCmd } from './score';
import { register as simLlmCmd } from './sim-llm';
import { register as cacheCmd } from './cache';
import { register as benchCmd } from './bench';
import { register as benchPpoCmd } from './bench-ppo';
import { register as configCmd } from './config';
import { register as planCmd } from './plan';
import { register as studyCmd } from './study';
import { register as batchCmd } from './batch';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [
  demoCmd, runCmd, importCmd, reflectCmd, kbCmd, trainCmd, evaluateCmd, reportCmd, exportCmd, runsCmd,
  scoreCmd, simLlmCmd, cacheCmd, configCmd, benchCmd, benchPpoCmd, planCmd, studyCmd, batchCmd,
];
