/** One frame as a client sent it, before any parsing. */
export type InboundFrame =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'binary'; readonly byteLength: number };

export const textFrame = (text: string): InboundFrame => ({ kind: 'text', text });
export const binaryFrame = (byteLength: number): InboundFrame => ({ kind: 'binary', byteLength });
