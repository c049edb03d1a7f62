export * from './PrometheusChatMetrics.js';
