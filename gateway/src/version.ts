/** The gateway's version, announced in the birth message; a test keeps it equal to package.json. */
export const VERSION = '0.1.0';
