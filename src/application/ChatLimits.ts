/** Bounds of protocol v2 that operators may change. */
export interface ChatLimits {
  /** Most rooms one connection may be in. */
  readonly maxRoomsPerConnection: number;
  /** Most members a `listMembers` reply names; it says `truncated` when there are more. */
  readonly memberListCap: number;
}

export const DEFAULT_CHAT_LIMITS: ChatLimits = { maxRoomsPerConnection: 50, memberListCap: 1000 };
