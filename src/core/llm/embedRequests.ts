/**
 * How many texts one embeddings request carries, in one place: the client splits a larger embed()
 * call into requests of this many texts, and the online executor fills planned embeddings in
 * chunks of it. The batch executor writes one line, one request, per text instead
 * (batchEmbeddingLine). A module of its own so the stage estimates (and the extension's cost
 * question) read it without loading the client.
 */
export const EMBED_TEXTS_PER_REQUEST = 256;
