export * from './defaults';
export * from './resolve';
