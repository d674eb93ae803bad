/** The driver's version, shown by `sensegate drivers`; a test keeps it equal to package.json. */
export const VERSION = '0.1.0';
