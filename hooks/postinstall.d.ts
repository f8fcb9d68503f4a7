// Lifecycle entry point: importing it runs the hook. It exports nothing.
export {};
