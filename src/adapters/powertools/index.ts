export * from './chatMetricNames.js';
export * from './PowertoolsChatMetrics.js';
