class _Settings:
    configured = True
    DEBUG = True


settings = _Settings()
