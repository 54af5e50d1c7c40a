"""Pages of practice achievement (DM-6): the practice's figures per QOF indicator beside
its locality's and the community's, and the people behind each gap."""
