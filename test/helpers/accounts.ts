// Helpers for the accounts and LGPD suites: users straight in the database, and signed-in clients on a server.
import type {Sql} from "../../api/db.js";

/** A bare user row, for service tests that need someone to own data. */
export async function insertUser(
  sql: Sql,
  id: string,
  {email = `${id}@example.com`, role = "client"}: {email?: string; role?: string} = {}
): Promise<void> {
  await sql`INSERT INTO "user" (id, name, email, "emailVerified", role)
    VALUES (${id}, ${`User ${id}`}, ${email}, false, ${role})`;
}
