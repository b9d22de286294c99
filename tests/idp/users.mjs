/** The password of every demo account for the password grant (the login page takes any). */
export const DEMO_PASSWORD = 'looking-glass';

// Demo accounts of the bundled provider. The development login page takes any login name: a
// listed one gets its profile, any other name a plain generated profile.
export const demoUsers = {
  alice: {
    name: 'Alice Liddell',
    given_name: 'Alice',
    family_name: 'Liddell',
    email: 'alice@example.test',
    email_verified: true,
    locale: 'en-GB',
  },
  bob: {
    name: 'Bob Builder',
    given_name: 'Bob',
    family_name: 'Builder',
    email: 'bob@example.test',
    email_verified: false,
    locale: 'en-US',
  },
};

export async function findAccount(ctx, sub) {
  const profile = demoUsers[sub] || { name: sub, email: `${sub}@example.test`, email_verified: false };
  return {
    accountId: sub,
    async claims() {
      return { sub, preferred_username: sub, updated_at: 1767225600, ...profile };
    },
  };
}
