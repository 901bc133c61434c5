namespace VkResNet.Runtime;

/// <summary>
/// Host-visible staging buffers reused for every upload and download that is not on the hot
/// path: data goes through in chunks, each copied by a one-shot command list and waited on.
/// </summary>
internal sealed class StagingRing : IDisposable
{
    const long ChunkBytes = 16L << 20;
    readonly Device _device;
    readonly Buffer _upload;
    readonly Buffer _readback;
    readonly CommandList _commands;

    public StagingRing(Device device)
    {
        _device = device;
        _upload = device.CreateBuffer(ChunkBytes, MemoryKind.Upload, "staging.upload");
        _readback = device.CreateBuffer(ChunkBytes, MemoryKind.Readback, "staging.readback");
        _commands = device.CreateCommandList();
    }

    public void Upload(BufferSlice dst, ReadOnlySpan<byte> src)
    {
        if (src.Length > dst.Size) throw new ArgumentException($"Upload of {src.Length} bytes does not fit in {dst}.");
        for (long done = 0; done < src.Length; done += ChunkBytes)
        {
            int n = (int)Math.Min(ChunkBytes, src.Length - done);
            src.Slice((int)done, n).CopyTo(_upload.MappedBytes);
            // vkCmdCopyBuffer sizes need no alignment, but fills do: copy exactly n bytes.
            _commands.Begin();
            _commands.Copy(_upload.Slice(0, n), dst.Slice(done, n));
            _commands.TransferToComputeBarrier();
            _commands.End();
            _commands.Submit();
            _commands.Wait();
        }
    }

    public void Download(BufferSlice src, Span<byte> dst)
    {
        if (dst.Length > src.Size) throw new ArgumentException($"Download of {dst.Length} bytes is larger than {src}.");
        for (long done = 0; done < dst.Length; done += ChunkBytes)
        {
            int n = (int)Math.Min(ChunkBytes, dst.Length - done);
            _commands.Begin();
            _commands.ComputeToTransferBarrier();
            _commands.Copy(src.Slice(done, n), _readback.Slice(0, n));
            _commands.TransferToHostBarrier();
            _commands.End();
            _commands.Submit();
            _commands.Wait();
            _readback.MappedBytes[..n].CopyTo(dst.Slice((int)done, n));
        }
    }

    public void Dispose()
    {
        _commands.Dispose();
        _readback.Dispose();
        _upload.Dispose();
    }
}
