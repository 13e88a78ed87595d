export { startSimulator, Recorder, type SimulatorApp, type StartedSimulator } from './server';
export { SIMULATORS, type SimulatorEntry } from './catalog';
