// Email through SMTP (nodemailer) when SMTP_URL is set; otherwise every message is written to a local outbox
// folder as an .eml file, so nothing is lost in development and an operator can still read what was sent.
import {randomBytes} from "node:crypto";
import {mkdir, rename, writeFile} from "node:fs/promises";
import {join} from "node:path";
import nodemailer from "nodemailer";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  readonly kind: "smtp" | "outbox";
  send(mail: Mail): Promise<void>;
}

export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    kind: "smtp",
    async send(mail) {
      await transport.sendMail({from, ...mail});
    }
  };
}

export function outboxMailer(dir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({streamTransport: true, buffer: true, newline: "unix"});
  return {
    kind: "outbox",
    async send(mail) {
      const {message} = await transport.sendMail({from, ...mail});
      await mkdir(dir, {recursive: true, mode: 0o700});
      const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.eml`;
      // Written under a temporary name and renamed, so a reader never sees half a message.
      const temporary = join(dir, `.${name}.tmp`);
      await writeFile(temporary, message as Buffer, {mode: 0o600});
      await rename(temporary, join(dir, name));
    }
  };
}

export function mailerFromConfig(config: {SMTP_URL?: string; MAIL_FROM?: string; dataDir: string}): Mailer {
  const from = config.MAIL_FROM ?? "Grafeno Workbench <no-reply@grafeno.invalid>";
  return config.SMTP_URL ? smtpMailer(config.SMTP_URL, from) : outboxMailer(join(config.dataDir, "outbox"), from);
}
