// User service: what the admin command and the admin routes share.
import {z} from "zod";
import type {Runtime} from "./server.js";

export const newAdministrator = z.object({
  email: z.string().email(),
  name: z.string().trim().min(1).max(120),
  password: z.string().min(10, "at least 10 characters").max(128)
});
export type NewAdministrator = z.infer<typeof newAdministrator>;

/** Signs the person up through better-auth (so the password is hashed its way), then grants the admin role. */
export async function createAdministrator(
  {auth, db}: Pick<Runtime, "auth" | "db">,
  who: NewAdministrator
): Promise<{id: string; email: string}> {
  const email = who.email.toLowerCase();
  const [existing] = await db.sql<{id: string}[]>`SELECT id FROM "user" WHERE email = ${email}`;
  let id = existing?.id;
  if (!id) {
    const result = await auth.api.signUpEmail({body: {email, password: who.password, name: who.name}});
    id = result.user.id;
  }
  await db.sql`UPDATE "user" SET role = 'admin', "updatedAt" = now() WHERE id = ${id}`;
  return {id, email};
}
