// Engine host process entry point (spawned by the extension). Arrives with the training issue.
process.exit(0);
