// What a streamed chat completion added up to, as a client sees it: the text,
// the tool calls assembled from their deltas, the last usage, the finish
// reason, every chunk id, and the reasoning: reasoning_content joined and
// reasoning_details pieces merged by index (text, signature, data concatenate).
export async function collectStream(stream) {
  let text = '';
  let reasoning = '';
  const reasoningDetails = [];
  const toolCalls = [];
  let usage = null;
  let finish = null;
  const ids = new Set();
  for await (const chunk of stream) {
    ids.add(chunk.id);
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (choice.delta?.content) text += choice.delta.content;
      if (choice.delta?.reasoning_content) reasoning += choice.delta.reasoning_content;
      for (const piece of choice.delta?.reasoning_details ?? []) {
        const slot = (reasoningDetails[piece.index] ??= {});
        for (const [key, value] of Object.entries(piece)) {
          const joined = ['text', 'signature', 'data'].includes(key) && typeof slot[key] === 'string';
          slot[key] = joined ? slot[key] + value : value;
        }
      }
      for (const call of choice.delta?.tool_calls ?? []) {
        const slot = (toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
        if (call.id) slot.id = call.id;
        if (call.function?.name) slot.name += call.function.name;
        if (call.function?.arguments) slot.arguments += call.function.arguments;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  return { text, toolCalls, usage, finish, ids, reasoning, reasoningDetails };
}
