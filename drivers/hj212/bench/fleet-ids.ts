/** The MN of the i-th benchmark station: 24 characters, as HJ 212-2017 wants. */
export const mnOf = (i: number): string => `BENCH${String(i).padStart(19, '0')}`;
