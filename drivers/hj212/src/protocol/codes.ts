/**
 * Command codes (CN), system codes (ST) and the return codes of the replies, from HJ 212-2017.
 * The data uploads keep their codes in HJ/T 212-2005.
 */

export const CN = {
  /** Set the reply timeout and retry count (OverTime, ReCount). */
  SET_TIMEOUT: '1000',
  GET_TIME: '1011',
  SET_TIME: '1012',
  /** The station asks the platform for the time. */
  TIME_REQUEST: '1013',
  GET_REALTIME_INTERVAL: '1061',
  SET_REALTIME_INTERVAL: '1062',
  GET_MINUTE_INTERVAL: '1063',
  SET_MINUTE_INTERVAL: '1064',
  SET_PASSWORD: '1072',
  REALTIME_DATA: '2011',
  STOP_REALTIME_DATA: '2012',
  EQUIPMENT_STATE: '2021',
  STOP_EQUIPMENT_STATE: '2022',
  DAY_DATA: '2031',
  DAY_RUNTIME: '2041',
  MINUTE_DATA: '2051',
  HOUR_DATA: '2061',
  BOOT_TIME: '2081',
  REQUEST_REPLY: '9011',
  EXECUTION_RESULT: '9012',
  NOTICE_REPLY: '9013',
  DATA_ACK: '9014',
} as const;

export type CommandCode = (typeof CN)[keyof typeof CN];

export const ST = {
  SURFACE_WATER: '21',
  AIR_QUALITY: '22',
  NOISE: '23',
  GROUNDWATER: '24',
  SOIL: '25',
  SEA_WATER: '26',
  VOCS: '27',
  AIR_POLLUTION_SOURCE: '31',
  WATER_POLLUTION_SOURCE: '32',
  FLUE_GAS: '51',
  SEWAGE: '52',
  /** Replies and system traffic. */
  SYSTEM: '91',
} as const;

/** QnRtn of a 9011 reply: whether the station accepts a request. */
export const QN_RTN: Readonly<Record<string, string>> = {
  '1': 'ready to execute the request',
  '2': 'request refused',
  '3': 'wrong password',
  '4': 'wrong MN',
  '5': 'wrong ST',
  '6': 'wrong Flag',
  '7': 'wrong QN',
  '8': 'wrong CN',
  '9': 'CRC error',
  '100': 'unknown error',
};

/** ExeRtn of a 9012 reply: how the request ended. */
export const EXE_RTN: Readonly<Record<string, string>> = {
  '1': 'executed',
  '2': 'failed, reason unknown',
  '3': 'request conditions wrong',
  '4': 'communication timeout',
  '5': 'system busy',
  '6': 'system fault',
  '100': 'no data',
};

export const QN_RTN_READY = '1';
export const EXE_RTN_SUCCESS = '1';
