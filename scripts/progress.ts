// A progress display on stderr: a redrawn line on a terminal, a line every few seconds otherwise (CI logs).
export interface Progress {
  table?: string;
  rows: number;
  total?: number;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr, everyMs = 2000) {
  let last = 0;
  let lastLine = "";
  const render = ({table, rows, total}: Progress) => {
    const share = total ? ` ${((100 * rows) / total).toFixed(0).padStart(3)}%` : "";
    return `[${label}] ${table ? `${table}: ` : ""}${rows.toLocaleString("en-US")}${total ? `/${total.toLocaleString("en-US")}` : ""} rows${share}`;
  };
  return {
    update(progress: Progress): void {
      const now = Date.now();
      if (now - last < (stream.isTTY ? 100 : everyMs)) return;
      last = now;
      lastLine = render(progress);
      stream.write(stream.isTTY ? `\r${lastLine}\x1b[K` : `${lastLine}\n`);
    },
    done(): void {
      if (stream.isTTY && lastLine) stream.write("\n");
    }
  };
}
