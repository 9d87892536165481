// profiler panel entry (arrives with its issue)
export {};
