// Imported first by the device bundle: tells bench/webgpu_bench.ts not to start its own main.
(globalThis as { __tsDeviceEntry?: boolean }).__tsDeviceEntry = true;
