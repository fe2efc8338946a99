namespace LiveInsight.Testing;

/// <summary>One maildev for a test class; tests keep apart by sending to their own addresses.</summary>
public sealed class MailboxFixture : Xunit.IAsyncLifetime
{
    public Mailbox Mailbox { get; } = new();

    public Task InitializeAsync() => Mailbox.StartAsync();

    public async Task DisposeAsync() => await Mailbox.DisposeAsync();
}
