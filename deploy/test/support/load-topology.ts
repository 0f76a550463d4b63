import { startTopology, type Topology, type TopologyOptions } from '../../local/topology.ts';

/**
 * A topology for a failure test: the API's per-client rate limit raised (the whole load
 * comes from one address), everything else as `npm run stack` runs it.
 */
export function startLoadTopology(
  options: Partial<TopologyOptions> & Pick<TopologyOptions, 'api' | 'web'>,
): Promise<Topology> {
  return startTopology({
    ...options,
    apiEnv: { RATE_LIMIT_MAX: '1000000', ...options.apiEnv },
  });
}
