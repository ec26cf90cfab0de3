from .bridge import Stream

class HashApi:
    @staticmethod
    def hashFiles(pathBlob: bytes, algorithm: str, bufferSize: int, threads: int) -> Stream: ...
    @staticmethod
    def algorithms() -> list[str]: ...
