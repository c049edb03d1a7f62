export * from './JoseTokenVerifier.js';
