export * from './types';
export * from './build';
export * from './stagePlans';
export * from './estimate';
