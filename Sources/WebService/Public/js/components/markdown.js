// A small Markdown renderer for chat answers that builds DOM nodes (never innerHTML): paragraphs,
// headings, lists, quotes, fenced code (always left-to-right), inline code, bold, italic and
// http(s) links. Every block gets dir="auto" so an Arabic paragraph and an English one each read
// in their own direction.

function inline(text) {
  const out = [];
  const pattern = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|(\*[^*\n]+\*|_[^_\n]+_)|(\[[^\]\n]+\]\(https?:\/\/[^\s)]+\))/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const [token] = match;
    if (match[1]) {
      const code = document.createElement("code");
      code.dir = "ltr";
      code.textContent = token.slice(1, -1);
      out.push(code);
    } else if (match[2]) {
      const strong = document.createElement("strong");
      strong.append(...inline(token.slice(2, -2)));
      out.push(strong);
    } else if (match[3]) {
      const em = document.createElement("em");
      em.append(...inline(token.slice(1, -1)));
      out.push(em);
    } else {
      const [, label, href] = token.match(/^\[([^\]]+)\]\((.+)\)$/);
      const a = document.createElement("a");
      a.href = href;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      a.textContent = label;
      out.push(a);
    }
    last = match.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function block(tag, text) {
  const node = document.createElement(tag);
  node.dir = "auto";
  node.append(...inline(text));
  return node;
}

/** Renders `source` into a DocumentFragment. An unclosed code fence (mid-stream) still shows as code. */
export function renderMarkdown(source) {
  const fragment = document.createDocumentFragment();
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  let paragraph = [];
  let list = null;
  const flush = () => {
    if (paragraph.length) fragment.append(block("p", paragraph.join(" ")));
    paragraph = [];
    list = null;
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const fence = line.match(/^\s*```\s*([\w+-]*)\s*$/);
    if (fence) {
      flush();
      const body = [];
      for (i += 1; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i += 1) body.push(lines[i]);
      const pre = document.createElement("pre");
      pre.dir = "ltr";
      const code = document.createElement("code");
      if (fence[1]) code.dataset.lang = fence[1];
      code.textContent = body.join("\n");
      pre.append(code);
      fragment.append(pre);
      continue;
    }
    const heading = line.match(/^(#{1,4})\s+(.*)$/);
    if (heading) {
      flush();
      fragment.append(block(`h${Math.min(heading[1].length + 2, 6)}`, heading[2]));
      continue;
    }
    const item = line.match(/^\s*(?:([-*•])|(\d+)[.)])\s+(.*)$/);
    if (item) {
      if (paragraph.length) flush();
      const tag = item[1] ? "ul" : "ol";
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = document.createElement(tag);
        list.dir = "auto";
        fragment.append(list);
      }
      list.append(block("li", item[3]));
      continue;
    }
    const quote = line.match(/^>\s?(.*)$/);
    if (quote) {
      flush();
      fragment.append(block("blockquote", quote[1]));
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    list = null;
    paragraph.push(line.trim());
  }
  flush();
  return fragment;
}
