from ._dfe_shim import install

install()
