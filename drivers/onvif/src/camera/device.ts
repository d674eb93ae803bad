/** A configured ONVIF device as the driver sees it. */
import type { DeviceRef } from '@sensegate/sdk';
import type { OnvifConnection } from '../config/connection.js';
import type { OnvifPointFields } from '../config/point.js';

export type OnvifDevice = DeviceRef<OnvifConnection, OnvifPointFields>;
