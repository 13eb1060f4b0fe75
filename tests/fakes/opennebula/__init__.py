"""A fake OpenNebula ``oned``: its XML-RPC API on a loopback port (see ``server``)."""
