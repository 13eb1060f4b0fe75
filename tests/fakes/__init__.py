"""Wire-level fakes of cloud services, driven only through the real SDKs."""
