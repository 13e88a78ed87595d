export { startSimulator, Recorder, type SimulatorApp, type StartedSimulator } from './server';
