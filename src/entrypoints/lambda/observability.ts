import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CHAT_METRICS } from '../../adapters/powertools/index.js';
import { type Env, stringSetting } from '../env.js';
import { describeError } from '../log.js';

/** Where the handlers' logs and metrics are filed. */
export interface ObservabilitySettings {
  /** `POWERTOOLS_SERVICE_NAME`: the `service` key of every log line and metric dimension. */
  readonly serviceName: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`: the CloudWatch namespace of the metrics. */
  readonly metricsNamespace: string;
}

export function readObservabilitySettings(env: Env): ObservabilitySettings {
  return {
    serviceName: stringSetting(env, 'POWERTOOLS_SERVICE_NAME', CHAT_METRICS.service),
    metricsNamespace: stringSetting(env, 'POWERTOOLS_METRICS_NAMESPACE', CHAT_METRICS.namespace),
  };
}

/**
 * The handlers' JSON logger. Its level: `POWERTOOLS_LOG_LEVEL`, else `LOG_LEVEL`, else INFO (and
 * Lambda's own log-level setting, `AWS_LAMBDA_LOG_LEVEL`, above both); Powertools reads them.
 * `addContext` stamps every line of an invocation with its request id and cold-start flag.
 */
export function createLambdaLogger(settings: ObservabilitySettings): Logger {
  return new Logger({ serviceName: settings.serviceName });
}

/** The Powertools metrics instance behind `PowertoolsChatMetrics`, in the chat's namespace. */
export function createLambdaMetrics(settings: ObservabilitySettings): Metrics {
  return new Metrics({ namespace: settings.metricsNamespace, serviceName: settings.serviceName });
}

/**
 * An infrastructure failure as one log line: its class, code and message (as `errorMessage`:
 * `message` is the line's own), never a stack.
 */
export function logFailure(
  logger: Logger,
  message: string,
  error: unknown,
  fields: Record<string, unknown> = {},
): void {
  const { message: errorMessage, ...failure } = describeError(error);
  logger.error(message, { ...fields, ...failure, ...(errorMessage === undefined ? {} : { errorMessage }) });
}
