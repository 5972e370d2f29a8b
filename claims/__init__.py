"""claims: track the quotes and claims in articles and the sources they rely on."""
