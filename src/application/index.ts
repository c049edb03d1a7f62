export * from './ActionRouter.js';
export * from './BroadcastMessage.js';
export * from './failureReply.js';
export * from './forEachBounded.js';
export * from './JoinChat.js';
export * from './LeaveChat.js';
export * from './parseClientFrame.js';
export * from './RejectUnknownAction.js';
