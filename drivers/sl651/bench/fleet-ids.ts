/** The address of the i-th benchmark station: 10 hex digits. */
export const addressOf = (i: number): string => (0x5100000000 + i).toString(16).toUpperCase().padStart(10, '0');
export const PASSWORD = '1234';
