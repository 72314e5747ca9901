// Shared by the embeddings tests: the gateway configuration that serves the
// embedding models of every provider that has them, and the simulators'
// vector rule (tools/cloudsim/embedding_vectors.hpp) re-implemented here, so
// that a test can check each vector came back for its own input, at its index.

// [gateway model, native size, a size `dimensions` may ask for (or null)]
export const embeddingModels = [
  ['openai/text-embedding-3-small', 1536, 256],
  ['azure-openai/text-embedding-3-small', 1536, 256],
  ['aws-bedrock/amazon.titan-embed-text-v2', 1024, 512],
  ['aws-bedrock/cohere.embed-english-v3', 1024, null],
  ['gcp-vertex/text-embedding-005', 768, 256],
  ['gcp-vertex/gemini-embedding-001', 3072, 768],
];

const served = {
  openai: ['gpt-4o', 'text-embedding-3-small', 'text-embedding-3-large'],
  'azure-openai': ['gpt-4o', 'text-embedding-3-small'],
  'aws-bedrock': ['anthropic.claude-3-sonnet', 'amazon.titan-embed-text-v2', 'cohere.embed-english-v3'],
  'gcp-vertex': ['gemini-1.5-pro', 'text-embedding-005', 'gemini-embedding-001'],
};

// startGateway's `edit`: lists the embedding models (they are served only
// where a provider's `models` names them).
export function withEmbeddingModels(lines) {
  const out = [...lines];
  for (const [provider, models] of Object.entries(served)) {
    const at = out.indexOf(`  ${provider}:`);
    const settings = out.indexOf('    settings:', at);
    if (at < 0 || settings < 0) throw new Error(`no settings block for ${provider} in the gateway configuration`);
    out.splice(settings + 1, 0, `      models: [${models.join(', ')}]`);
  }
  return out;
}

const MASK = (1n << 64n) - 1n;

// sim_embedding(text, size) of the simulators, as float32 values.
export function simEmbedding(text, size) {
  let state = 14695981039346656037n;
  for (const byte of Buffer.from(text, 'utf8')) {
    state ^= BigInt(byte);
    state = (state * 1099511628211n) & MASK;
  }
  const v = new Array(size);
  let norm = 0;
  for (let i = 0; i < size; i += 1) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    z ^= z >> 31n;
    const x = Math.fround((Number(z >> 11n) / 9007199254740992) * 2 - 1);
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  return v.map((x) => Math.fround(x / norm));
}

// Whether `vector` (numbers from JSON) is exactly sim_embedding(text, size) in float32.
export function isSimEmbedding(vector, text, size) {
  if (!Array.isArray(vector) && !(vector instanceof Float32Array)) return false;
  const expected = simEmbedding(text, size);
  return vector.length === size && expected.every((x, i) => Math.fround(vector[i]) === x);
}

// An OpenAI base64 embedding (float32 little-endian) as numbers.
export function fromBase64(text) {
  const bytes = Buffer.from(text, 'base64');
  const out = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(bytes.readFloatLE(i));
  return out;
}

// Whitespace-separated words: the simulators' token count.
export const words = (texts) => texts.reduce((n, t) => n + t.split(/\s+/).filter(Boolean).length, 0);
