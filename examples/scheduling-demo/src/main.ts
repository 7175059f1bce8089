import { runDemo } from './run-demo.js';

const { report } = await runDemo();
console.log(report);
