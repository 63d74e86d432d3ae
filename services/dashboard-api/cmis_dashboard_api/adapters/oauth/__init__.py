"""Each platform's side of an OAuth connect: the consent URL, the code exchange on the
server and the accounts a grant reaches, in each platform's real shapes (PLATFORMS.md)."""
