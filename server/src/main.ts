// Language server entry point (LSP wiring only). Runs standalone: `node dist/server.js --stdio`.
console.error('tensor-studio server: not built yet');
