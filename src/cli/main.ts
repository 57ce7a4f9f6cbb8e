// The `monoscope` command line over src/core: dispatches subcommands and maps errors to exit codes.
import { MonoscopeError } from '../core/errors.ts'
import { analyzeCommand, analyzeUsage } from './commands/analyze.ts'
import { attributeCommand, attributeUsage } from './commands/attribute.ts'
import { attributeEvalCommand, attributeEvalUsage } from './commands/attributeEval.ts'
import { contrastCommand, contrastUsage } from './commands/contrast.ts'
import { buildWorldModelCommand, buildWorldModelUsage } from './commands/buildWorldModel.ts'
import { buildWorldSaesCommand, buildWorldSaesUsage } from './commands/buildWorldSaes.ts'
import { evalSaeCommand, evalSaeUsage } from './commands/evalSae.ts'
import { explainCommand, explainUsage } from './commands/explain.ts'
import { exportOnnxCommand, exportOnnxUsage } from './commands/exportOnnx.ts'
import { featureNeuronsCommand, featureNeuronsUsage } from './commands/featureNeurons.ts'
import { scalingSweepCommand, scalingSweepUsage } from './commands/scalingSweep.ts'
import { probeSweepCommand, probeSweepUsage } from './commands/probeSweep.ts'
import { featuresCommand, featuresUsage } from './commands/features.ts'
import { generateCommand, generateUsage } from './commands/generate.ts'
import { harvestCommand, harvestUsage } from './commands/harvest.ts'
import { randomModelCommand, randomModelUsage } from './commands/randomModel.ts'
import { runCommand, runUsage } from './commands/run.ts'
import { specificityReportCommand, specificityReportUsage } from './commands/specificityReport.ts'
import { steerEvalCommand, steerEvalUsage } from './commands/steerEval.ts'
import { trainSaeCommand, trainSaeUsage } from './commands/trainSae.ts'
import { worldSampleCli, worldSampleUsage } from './commands/worldSampleCli.ts'

interface Command {
  usage: string
  run: (argv: string[]) => Promise<void>
}

const commands: Readonly<Record<string, Command>> = Object.freeze({
  run: { usage: runUsage, run: runCommand },
  generate: { usage: generateUsage, run: generateCommand },
  'world-sample': { usage: worldSampleUsage, run: worldSampleCli },
  'build-world-model': { usage: buildWorldModelUsage, run: buildWorldModelCommand },
  analyze: { usage: analyzeUsage, run: analyzeCommand },
  harvest: { usage: harvestUsage, run: harvestCommand },
  'build-world-saes': { usage: buildWorldSaesUsage, run: buildWorldSaesCommand },
  'train-sae': { usage: trainSaeUsage, run: trainSaeCommand },
  features: { usage: featuresUsage, run: featuresCommand },
  attribute: { usage: attributeUsage, run: attributeCommand },
  'attribute-eval': { usage: attributeEvalUsage, run: attributeEvalCommand },
  'specificity-report': { usage: specificityReportUsage, run: specificityReportCommand },
  contrast: { usage: contrastUsage, run: contrastCommand },
  explain: { usage: explainUsage, run: explainCommand },
  'eval-sae': { usage: evalSaeUsage, run: evalSaeCommand },
  'feature-neurons': { usage: featureNeuronsUsage, run: featureNeuronsCommand },
  'scaling-sweep': { usage: scalingSweepUsage, run: scalingSweepCommand },
  'probe-sweep': { usage: probeSweepUsage, run: probeSweepCommand },
  'steer-eval': { usage: steerEvalUsage, run: steerEvalCommand },
  'export-onnx': { usage: exportOnnxUsage, run: exportOnnxCommand },
  'random-model': { usage: randomModelUsage, run: randomModelCommand },
})

const help = (): string =>
  `Monoscope: sparse-autoencoder interpretability on a hooked GPT-2.\n\nUsage:\n${Object.values(commands)
    .map((c) => `  ${c.usage.split('\n').join('\n  ')}`)
    .join('\n\n')}\n\nSRC is a local folder, a base URL, or hf:owner/name[@revision]; without --model the embedded TinyWorld model is used.\n`

/** Runs the CLI; returns the process exit code (0 ok, 1 unexpected failure, 2 bad input or data). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help())
    return name === undefined ? 2 : 0
  }
  const command = commands[name]
  if (!command) {
    process.stderr.write(`monoscope: unknown command "${name}"\n\n${help()}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`)
    return 0
  }
  try {
    await command.run(rest)
    return 0
  } catch (err) {
    if (err instanceof MonoscopeError) {
      process.stderr.write(`monoscope ${name}: ${err.message} [${err.code}]\n`)
      return 2
    }
    // node:util parseArgs reports unknown or malformed flags with these codes.
    const code = (err as { code?: string }).code
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`monoscope ${name}: ${(err as Error).message}\n\n${command.usage}\n`)
      return 2
    }
    // A file named on the command line that cannot be read or written is bad input, not a bug: say which and why.
    const fileProblem = describeFileError(err)
    if (fileProblem) {
      process.stderr.write(`monoscope ${name}: ${fileProblem}\n`)
      return 2
    }
    process.stderr.write(`monoscope ${name}: unexpected error: ${(err as Error).stack ?? String(err)}\n`)
    return 1
  }
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
}

/** "cannot open PATH: no such file or directory" for Node's file-system errors; null for anything else. */
function describeFileError(err: unknown): string | null {
  if (!(err instanceof Error)) return null
  const { code, syscall, path: file } = err as NodeJS.ErrnoException
  if (typeof code !== 'string' || !(code in FILE_ERRORS) || typeof syscall !== 'string') return null
  return `cannot ${syscall} ${file ?? 'a file'}: ${FILE_ERRORS[code]} [${code}]`
}
